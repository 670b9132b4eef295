import type { Shown } from "../cards/text";
import type { ActionView, ChoiceView, FactView, NoticeView } from "../cards/views";

/** The digest's cards. Every displayed field is Shown; chart values are numbers. */

export interface ChartSlice {
  legend: string;
  value: number;
  color: "good" | "warning" | "attention" | "neutral";
}

export interface SectorRowView {
  label: Shown;
  agencies: Shown;
  submitted: Shown;
  overdue: Shown;
  meets: Shown;
}

export interface DigestView {
  title: Shown;
  subtitle: Shown;
  /** When no cycle covers the channel's partnerships yet. */
  emptyText: Shown;
  notice?: NoticeView;
  showFigures: boolean;
  headline: Shown;
  quotable: Shown;
  changeText: Shown;
  previousCycleText: Shown;

  showReturns: boolean;
  returnsText: Shown;
  sectorRows: SectorRowView[];
  /** No past-deadline column: that count is per sector only. */
  partnershipRows: Array<Omit<SectorRowView, "overdue">>;

  showStandards: boolean;
  splitTitle: Shown;
  split: ChartSlice[];
  splitFacts: FactView[];
  barsTitle: Shown;
  bars: Array<{ title: string; parts: ChartSlice[] }>;
  /** The bars' numbers, for clients that cannot draw charts (Teams mobile). */
  standardFacts: FactView[];
  ruleText: Shown;

  showTrend: boolean;
  trendTitle: Shown;
  trend: Array<{ x: string; y: number }>;
  trendFacts: FactView[];

  showAttention: boolean;
  attentionText: Shown;
  overdueActions: Shown[];
  overdueAgencies: Shown[];
  attentionMore: Shown;

  showTraining: boolean;
  trainingText: Shown;
  hasResponseRate: boolean;
  responseTitle: Shown;
  responseRate: number;
  responseFacts: FactView[];
  trainingFacts: FactView[];
  quotes: Shown[];

  /** The drill-down inputs and buttons (absent on a card for e-mail or a preview without rights). */
  interactive: boolean;
  standardChoices: ChoiceView[];
  sectorChoices: ChoiceView[];
  actions: ActionView[];
}

export interface DigestDetailView {
  title: Shown;
  subtitle: Shown;
  notice?: NoticeView;
  facts: FactView[];
  sections: Array<{ heading: Shown; lines: Shown[] }>;
  moreText: Shown;
  actions: ActionView[];
}

export interface DigestSettingsView {
  title: Shown;
  intro: Shown;
  notice?: NoticeView;
  partnershipChoices: ChoiceView[];
  partnerships: string;
  frequencyChoices: ChoiceView[];
  frequency: string;
  weekdayChoices: ChoiceView[];
  weekday: string;
  monthDay: string;
  time: string;
  sectionChoices: ChoiceView[];
  sections: string;
  actions: ActionView[];
}

export interface DigestChannelsView {
  notice?: NoticeView;
  intro: Shown;
  channels: Array<{ name: Shown; detail: Shown; status: Shown; color: "good" | "warning" | "attention" | "default"; actions: ActionView[] }>;
  actions: ActionView[];
}

declare module "../cards/views" {
  interface CardViews {
    digest: DigestView;
    digestDetail: DigestDetailView;
    digestSettings: DigestSettingsView;
    digestChannels: DigestChannelsView;
  }
}
