// What happens to the pool's tickets on this node (protocol TicketEvent: new, live, ignored,
// winning, voted, missed, …), published by the ticket-set keeper and the voter and streamed to
// the web app over the control API's websocket.
import { Context, Effect, Layer, PubSub, Stream } from "effect";
import type { TicketEvent } from "../rpc/stakepoold_protocol.ts";

/** A subscriber that falls this far behind loses the oldest events, never stalls the voter. */
const BUFFERED_EVENTS = 4096;

export class TicketEvents extends Context.Tag("hcstakepool/TicketEvents")<TicketEvents, {
  readonly publish: (event: TicketEvent) => Effect.Effect<void>;
  /** Events from the moment the stream is run. */
  readonly stream: Stream.Stream<TicketEvent>;
}>() {
  static readonly live = Layer.effect(
    TicketEvents,
    Effect.map(PubSub.sliding<TicketEvent>(BUFFERED_EVENTS), (hub) => ({
      publish: (event) => Effect.asVoid(PubSub.publish(hub, event)),
      stream: Stream.fromPubSub(hub),
    })),
  );
}
