import type { Role } from "../storage/grantsRepo";

/** How each role is named to people. */
export const ROLE_LABELS: Record<Role, string> = { admin: "Partnership admin", lead: "Safeguarding lead", officer: "Senior officer (signs off)", trainer: "Training officer" };
