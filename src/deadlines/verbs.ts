/** Card verbs of deadlines (admin, personal chat only). */
export const DEADLINE_VERBS = {
  form: "admin.deadline.form",
  extend: "admin.deadline.extend",
  reminders: "admin.deadline.reminders",
  demo: "admin.deadline.demo",
} as const;
