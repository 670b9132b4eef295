import type { ActionView, ChoiceView, FactView, NoticeView, TextColor } from "../cards/views";
import type { Shown } from "../cards/text";

/** View models of the partnership admin's cards. */

export interface AdminMenuView {
  cycleSummary: Shown;
  notice?: NoticeView;
  actions: ActionView[];
  /** How to register agencies in bulk or load a template (send a file in this chat). */
  importHint: Shown;
}

export interface CycleFormView {
  name: string;
  deadline: string;
  partnerships: string;
  templateChoices: ChoiceView[];
  templateId: string;
  /** Days before the deadline on which leads are reminded, as typed ("14, 7, 1"). */
  reminderDays: string;
  /** "" (start empty) or the cycle whose answers each agency starts from. */
  carryChoices: ChoiceView[];
  carryFrom: string;
  problems: Shown[];
}

export interface CycleListView {
  notice?: NoticeView;
  cycles: Array<{ name: Shown; detail: Shown; statusLabel: Shown; color: TextColor; actions: ActionView[] }>;
  actions: ActionView[];
}

export interface AgencyFormView {
  name: string;
  sector: string;
  sectorChoices: ChoiceView[];
  partnerships: string;
  /** Optional: the agency's Microsoft 365 tenant id. */
  tenantId: string;
  problems: Shown[];
  notice?: NoticeView;
  actions: ActionView[];
}

export interface AssignFormView {
  agencyChoices: ChoiceView[];
  agencyId: string;
  role: string;
  roleChoices: ChoiceView[];
  email: string;
  personName: string;
  /** When replacing someone: who, and the holder key sent back with the form. */
  replacing?: Shown;
  replaces: string;
  problems: Shown[];
  notice?: NoticeView;
  /** Who was linked by the last add (tenant and sign-in name), or that they wait for first contact. */
  linkedFacts: FactView[];
  actions: ActionView[];
}

export interface AgencyPeopleView {
  agencyName: Shown;
  /** The agency's id, for `npm run export-agency` and data requests. */
  agencyIdText: Shown;
  detail: Shown;
  notice?: NoticeView;
  people: Array<{ name: Shown; role: Shown; detail: Shown; actions: ActionView[] }>;
  actions: ActionView[];
}

export interface StatusRowView {
  agencyName: Shown;
  sectorLabel: Shown;
  statusLabel: Shown;
  color: TextColor;
  progressText: Shown;
  chaseText: Shown;
  open: ActionView;
}

export interface StatusView {
  cycleName: Shown;
  deadlineText: Shown;
  countsText: Shown;
  actionsText: Shown;
  filterText: Shown;
  notice?: NoticeView;
  rows: StatusRowView[];
  pageText: Shown;
  /** Filter inputs (values sent back). */
  cycleId: string;
  cycleChoices: ChoiceView[];
  state: string;
  stateChoices: ChoiceView[];
  sector: string;
  sectorChoices: ChoiceView[];
  partnership: string;
  partnershipChoices: ChoiceView[];
  pager: ActionView[];
  actions: ActionView[];
}

export interface ImportReportView {
  title: Shown;
  summaryText: Shown;
  color: "good" | "warning" | "attention";
  registered: Shown[];
  rejected: Array<{ line: Shown; reason: Shown }>;
  moreText: Shown;
  actions: ActionView[];
}

export interface SettingsView {
  separateSignoff: string;
  notice?: NoticeView;
  explanation: Shown;
  actions: ActionView[];
}

declare module "../cards/views" {
  interface CardViews {
    adminMenu: AdminMenuView;
    cycleForm: CycleFormView;
    cycleList: CycleListView;
    agencyForm: AgencyFormView;
    assignForm: AssignFormView;
    agencyPeople: AgencyPeopleView;
    status: StatusView;
    importReport: ImportReportView;
    settings: SettingsView;
  }
}
