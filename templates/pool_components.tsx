// Pieces the pool's own pages share (address, tickets, voting, stats, admin): their style sheet,
// copyable command blocks, label/value lists and page links.
import type { Child, FC } from "hono/jsx";

/** The pool pages' style sheet, beside the site's (a stylesheet link is valid in the body). */
export const PoolStyles: FC = () => <link rel="stylesheet" href="/assets/css/pool.css" />;

/** A command or value to copy, in a monospace block that wraps on a phone. */
export const Code: FC<{ label?: string; children?: Child }> = ({ label, children }) => (
  <pre class="code" aria-label={label}>{children}</pre>
);

export interface Fact {
  readonly label: string;
  readonly value: Child;
}

/** Label/value rows (a description list). */
export const FactList: FC<{ facts: ReadonlyArray<Fact> }> = ({ facts }) => (
  <dl class="fact-list">
    {facts.map((f) => (
      <div class="fact-row">
        <dt>{f.label}</dt>
        <dd>{f.value}</dd>
      </div>
    ))}
  </dl>
);

/** A long hash or address: breaks anywhere, monospace. */
export const Mono: FC<{ children?: Child }> = ({ children }) => <span class="mono">{children}</span>;

/** A link when there is somewhere to go, else the text alone. */
export const MaybeLink: FC<{ href: string | undefined; children?: Child }> = ({ href, children }) =>
  href === undefined ? <>{children}</> : <a href={href} rel="noopener noreferrer">{children}</a>;
