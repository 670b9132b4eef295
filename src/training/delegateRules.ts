import { cleanLine, emailField, textField } from "../admin/validation";
import type { DelegateInput } from "./types";

/** The rules for one delegate, the same for the form, a CSV row and a roster entry. Pure. */
export const DELEGATE_LIMITS = { name: 120, agency: 120 } as const;

export function checkDelegate(raw: { name?: unknown; email?: unknown; agency?: unknown; managerName?: unknown; managerEmail?: unknown }, labels: Record<"name" | "email" | "agency" | "managerName" | "managerEmail", string>): { value: DelegateInput; problems: string[]; shown: Record<string, string> } {
  const name = textField(raw.name, labels.name, { min: 1, max: DELEGATE_LIMITS.name });
  const email = emailField(raw.email, labels.email);
  const agency = textField(raw.agency, labels.agency, { max: DELEGATE_LIMITS.agency });
  const managerName = textField(raw.managerName, labels.managerName, { max: DELEGATE_LIMITS.name });
  const managerEmail = emailField(raw.managerEmail, labels.managerEmail, true);
  const problems = [...name.problems, ...email.problems, ...agency.problems, ...managerName.problems, ...managerEmail.problems];
  if (managerName.value && !managerEmail.value) problems.push(`${labels.managerName} is given but ${labels.managerEmail} is empty: the manager is told by e-mail or in Teams, found by their address.`);
  if (email.value && managerEmail.value && email.value.toLowerCase() === managerEmail.value.toLowerCase()) problems.push(`${labels.managerEmail} is the delegate's own address.`);
  return {
    value: { name: name.value, email: email.value, agency: agency.value, managerName: managerName.value, managerEmail: managerEmail.value },
    problems,
    shown: { name: name.shown, email: email.shown, agency: agency.shown, managerName: managerName.shown, managerEmail: managerEmail.shown },
  };
}

export const cleanName = (s: string) => cleanLine(s).slice(0, DELEGATE_LIMITS.name);
