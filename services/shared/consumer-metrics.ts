import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * Prometheus metrics of event consumers, labelled by consumer name: how many events each handled
 * (`outcome` applied or duplicate), redeliveries, dead letters, and the lag (events in the stream
 * it has not acknowledged yet), read from the broker at each scrape.
 */
export class ConsumerMetrics {
  readonly handled: Counter<'consumer' | 'outcome'>;
  readonly redeliveries: Counter<'consumer'>;
  readonly deadLetters: Counter<'consumer'>;
  private readonly lags = new Map<string, () => Promise<number>>();

  constructor(registry: Registry) {
    const registers = [registry];
    this.handled = new Counter({
      name: 'events_consumer_handled_total',
      help: 'Events a consumer acknowledged, by outcome (applied, or duplicate found in its inbox)',
      labelNames: ['consumer', 'outcome'],
      registers,
    });
    this.redeliveries = new Counter({
      name: 'events_consumer_redeliveries_total',
      help: 'Deliveries of an event the consumer had been given before',
      labelNames: ['consumer'],
      registers,
    });
    this.deadLetters = new Counter({
      name: 'events_consumer_dead_letters_total',
      help: 'Events the consumer gave up on and published to the dead-letter stream',
      labelNames: ['consumer'],
      registers,
    });
    const lags = this.lags;
    new Gauge({
      name: 'events_consumer_lag',
      help: 'Events in the stream the consumer has not acknowledged yet (pending plus unacknowledged)',
      labelNames: ['consumer'],
      registers,
      async collect() {
        for (const [consumer, read] of lags) {
          // A broker that does not answer leaves the last value: a scrape must not fail for it.
          const lag = await read().catch(() => undefined);
          if (lag !== undefined) this.set({ consumer }, lag);
        }
      },
    });
  }

  /** Reads `consumer`'s lag with `read` at every scrape, and shows its counters at zero until they count. */
  watch(consumer: string, read: () => Promise<number>): void {
    this.lags.set(consumer, read);
    // Zero from the start, so a dashboard sees the series before the first redelivery.
    this.redeliveries.inc({ consumer }, 0);
    this.deadLetters.inc({ consumer }, 0);
  }
}
