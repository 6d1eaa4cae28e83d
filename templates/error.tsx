// Pages that say something went wrong: a status page (403, 404, 413, 429, 500 …, and /error) and
// the maintenance page shown while the wallet commands are stopped.
import type { FC } from "hono/jsx";

export interface StatusViewProps {
  readonly title: string;
  readonly message: string;
  /** A same-site path to try again ("Please re-try your request"). */
  readonly retry?: string;
}

export const StatusView: FC<StatusViewProps> = ({ title, message, retry }) => (
  <section class="card card-narrow status-page">
    <h1>{title}</h1>
    <p>{message}</p>
    <p class="actions">
      {retry !== undefined && <a class="button" href={retry}>Please re-try your request</a>}
      <a class={retry === undefined ? "button" : "button button-quiet"} href="/">Back to the home page</a>
    </p>
  </section>
);

export const MAINTENANCE_TEXT = "Stakepool is currently not processing RPC commands. " +
  "Wallets are still online and voting: your tickets keep being voted. " +
  "Pages that need the wallets are back once the administrator has checked them.";

export const MaintenanceView: FC<{ retry?: string }> = ({ retry }) => (
  <StatusView title="Maintenance" message={MAINTENANCE_TEXT} retry={retry} />
);
