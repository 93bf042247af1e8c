/**
 * The faults of the suite, each aimed at one operation's request through the sandbox's fault
 * injection (or its accounts server): what Zoho and networks do to a flow that runs for months.
 */
import type { OperationCase } from './node-cases';
import type { Rig } from './rig';

export interface FaultKind {
  name: string;
  /** Arms the fault for the next message; returns what undoes it. */
  arm(rig: Rig, op: OperationCase): () => void;
  /** Whether the next message, with the fault gone, must succeed on the same connection. */
  recovers: boolean;
}

const none = (): void => undefined;

const status = (code: number, retryAfter?: number): FaultKind => ({
  name: retryAfter === undefined ? `${code}` : `${code} Retry-After ${retryAfter}s`,
  recovers: true,
  arm(rig, op) {
    rig.sandbox.faults.inject({ match: op.match, kind: 'status', status: code, retryAfter });
    return none;
  },
});

/** Matches the `nth` request to a path: a token dying in the middle of a paged run. */
export class NthMatch extends RegExp {
  private seen = 0;
  constructor(
    source: RegExp,
    private readonly nth: number,
  ) {
    super(source.source, source.flags);
  }
  override test(text: string): boolean {
    return super.test(text) && ++this.seen === this.nth;
  }
}

export const FAULT_KINDS: FaultKind[] = [
  status(500),
  status(502),
  status(503),
  status(429),
  status(429, 1),
  {
    name: 'reset before the request was handled',
    recovers: true,
    arm(rig, op) {
      rig.sandbox.faults.inject({ match: op.match, kind: 'reset-before' });
      return none;
    },
  },
  {
    name: 'reset after the request was handled',
    recovers: true,
    arm(rig, op) {
      rig.sandbox.faults.inject({ match: op.match, kind: 'reset-after' });
      return none;
    },
  },
  {
    name: 'slow answer past the timeout',
    recovers: true,
    arm(rig, op) {
      rig.setTimeoutMs(300);
      rig.sandbox.faults.inject({ match: op.match, kind: 'slow', delayMs: 700 });
      return () => rig.setTimeoutMs(30_000);
    },
  },
  {
    name: '401 INVALID_TOKEN (access token expired mid-run)',
    recovers: true,
    arm(rig, op) {
      rig.sandbox.faults.inject({ match: op.match, kind: 'expire-token' });
      return none;
    },
  },
  {
    name: 'token endpoint failing (500)',
    // The pack pauses token requests a few seconds after a failure (the resume test waits).
    recovers: false,
    arm(rig) {
      rig.sandbox.faults.inject({
        match: { path: '/oauth/v2/token' },
        kind: 'status',
        status: 500,
      });
      return none;
    },
  },
  {
    name: 'token endpoint throttling',
    // Zoho's throttle lasts minutes: the next message may meet the pack's own back-off.
    recovers: false,
    arm(rig) {
      const saved = { ...rig.sandbox.options.tokenRateLimit };
      rig.sandbox.configure({ tokenRateLimit: { max: 0, windowMs: 600_000 } });
      return () => rig.sandbox.configure({ tokenRateLimit: saved });
    },
  },
  {
    name: 'refresh token revoked',
    recovers: false,
    arm(rig) {
      rig.sandbox.accounts.revokeRefreshToken(rig.refreshToken);
      return none;
    },
  },
  {
    name: 'daily credit limit reached',
    recovers: true,
    arm(rig) {
      // Less than one call's cost left: every API call meets Zoho's credit 429.
      rig.sandbox.configure({ creditLimit: 0.5 });
      return () => rig.sandbox.configure({ creditLimit: 0 });
    },
  },
];

/** Faults that last: the pack must give up with a clear error instead of retrying forever. */
export const LASTING_FAULTS: FaultKind[] = [
  {
    name: 'lasting 503',
    recovers: true,
    arm(rig, op) {
      rig.sandbox.faults.inject({ match: op.match, kind: 'status', status: 503, times: Infinity });
      return () => rig.sandbox.faults.clear();
    },
  },
  {
    name: 'lasting reset before the request was handled',
    recovers: true,
    arm(rig, op) {
      rig.sandbox.faults.inject({ match: op.match, kind: 'reset-before', times: Infinity });
      return () => rig.sandbox.faults.clear();
    },
  },
];
