import type { Template } from "../src/section11/template";

/** The benches' Section 11 template: 10 standards of 6 indicators, the 60 the issue's sizes name. */
export const BENCH_TEMPLATE: Template = {
  id: "bench-60",
  version: 1,
  name: "Benchmark template, 60 indicators",
  standards: Array.from({ length: 10 }, (_, s) => ({ id: `S${s + 1}`, title: `Standard ${s + 1}`, indicators: Array.from({ length: 6 }, (_, i) => ({ id: `${s + 1}.${i + 1}`, text: `Indicator ${s + 1}.${i + 1} of the benchmark template.` })) })),
};
export const BENCH_INDICATOR_IDS = BENCH_TEMPLATE.standards.flatMap((s) => s.indicators.map((i) => i.id));
