/**
 * The four prom-client classes ballast uses, loaded from their own files: prom-client's index also
 * loads the cluster aggregator, the push gateway (http, https, url) and the default process metrics
 * (perf_hooks and a dozen collectors), none of which a daemon here uses. Measured with --jitless:
 * http alone 42.1 MiB resident, with prom-client's index 47.1, with these four files 42.4
 * (bench/agent.md). The types are prom-client's own.
 */
import type * as Prom from 'prom-client';
import CounterImpl from 'prom-client/lib/counter.js';
import GaugeImpl from 'prom-client/lib/gauge.js';
import HistogramImpl from 'prom-client/lib/histogram.js';
import RegistryImpl from 'prom-client/lib/registry.js';

export const Registry = RegistryImpl as typeof Prom.Registry;
export type Registry = Prom.Registry;
export const Counter = CounterImpl as typeof Prom.Counter;
export type Counter<T extends string = string> = Prom.Counter<T>;
export const Gauge = GaugeImpl as typeof Prom.Gauge;
export type Gauge<T extends string = string> = Prom.Gauge<T>;
export const Histogram = HistogramImpl as typeof Prom.Histogram;
export type Histogram<T extends string = string> = Prom.Histogram<T>;
