/** Timing and memory of one benchmark phase, shared by bench/ingest.ts and bench/kpi.ts. */
export interface Phase {
  seconds: number;
  /** User + system CPU seconds of the whole process (DuckDB runs on several threads). */
  cpuSeconds: number;
  /** Highest resident set size seen while the phase ran, sampled every 50 ms. */
  peakRssMB: number;
}

export async function measure<T>(fn: () => Promise<T>): Promise<{ result: T } & Phase> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    const rss = process.memoryUsage().rss;
    if (rss > peak) peak = rss;
  }, 50);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  try {
    const result = await fn();
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(c0);
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, peakRssMB: peak / 1e6 };
  } finally {
    clearInterval(timer);
  }
}
