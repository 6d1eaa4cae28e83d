// Faults a simulated node can be switched into at run time (issue 5 item 5), and what "all clear"
// looks like. The node applies them; the control endpoint and tests switch them.

export type ServerKind = "hcd" | "wallet";

export interface MethodError {
  readonly code: number;
  readonly message: string;
  /** Which server answers with the error; both when absent. */
  readonly server?: ServerKind;
}

export interface NodeFaults {
  /** The wallet server refuses connections (its port stays reserved). */
  readonly walletDown: boolean;
  /** The hcd server refuses connections; its wallet loses it (see daemonDisconnected). */
  readonly hcdDown: boolean;
  /** The wallet is locked (walletpassphrase unlocks it again; switching off unlocks it). */
  readonly locked: boolean;
  /**
   * The wallet lost its hcd: walletinfo daemonconnected false, chain-backed calls fail. Set by
   * hcdDown too, and kept after hcd is back until the wallet restarts (walletDown on, then off).
   */
  readonly daemonDisconnected: boolean;
  /**
   * The wallet does not process new blocks yet (it hears of them late, as when a block arrives
   * during a call); switched off, it catches up.
   */
  readonly walletBehind: boolean;
  /** Added before every answer of both servers. */
  readonly latencyMs: number;
  /**
   * hcd serves a websocket's requests concurrently: a notify* registration takes effect (and is
   * answered) this much later, while requests sent after it are served at once.
   */
  readonly registrationDelayMs: number;
  /** createmultisig answers a different redeem script. */
  readonly disagreeRedeemScript: boolean;
  /** listscripts leaves out the latest imported script. */
  readonly missingScript: boolean;
  /** gettickets leaves out the latest ticket. */
  readonly missingTicket: boolean;
  /** Method name → the error it answers with. */
  readonly methodErrors: Readonly<Record<string, MethodError>>;
}

export const NO_FAULTS: NodeFaults = {
  walletDown: false,
  hcdDown: false,
  locked: false,
  daemonDisconnected: false,
  walletBehind: false,
  latencyMs: 0,
  registrationDelayMs: 0,
  disagreeRedeemScript: false,
  missingScript: false,
  missingTicket: false,
  methodErrors: {},
};

const BOOLEAN_FAULTS = [
  "walletDown",
  "hcdDown",
  "locked",
  "daemonDisconnected",
  "walletBehind",
  "disagreeRedeemScript",
  "missingScript",
  "missingTicket",
] as const;

/** Checks a patch received as JSON; returns a message naming the first bad field. */
export const faultPatchProblem = (patch: unknown): string | undefined => {
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) return "faults must be an object";
  for (const [key, value] of Object.entries(patch)) {
    if ((BOOLEAN_FAULTS as ReadonlyArray<string>).includes(key)) {
      if (typeof value !== "boolean") return `${key} must be a boolean`;
    } else if (key === "latencyMs" || key === "registrationDelayMs") {
      if (typeof value !== "number" || !(value >= 0)) return `${key} must be a number ≥ 0`;
    } else if (key === "methodErrors") {
      if (typeof value !== "object" || value === null) return "methodErrors must be an object";
      for (const [m, e] of Object.entries(value)) {
        const err = e as Partial<MethodError> | null;
        if (
          typeof err !== "object" || err === null || typeof err.code !== "number" ||
          typeof err.message !== "string" ||
          (err.server !== undefined && err.server !== "hcd" && err.server !== "wallet")
        ) return `methodErrors.${m} must be {code, message, server?}`;
      }
    } else return `unknown fault ${key}`;
  }
  return undefined;
};
