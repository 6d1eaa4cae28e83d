// Pieces the page views share: flash messages, the hidden CSRF field, labelled inputs, the
// captcha, notices and buttons.
import type { Child, FC } from "hono/jsx";

export interface FlashMessage {
  readonly kind: "error" | "success" | "info";
  readonly text: string;
}

export const Flashes: FC<{ flashes: ReadonlyArray<FlashMessage> }> = ({ flashes }) =>
  flashes.length === 0 ? null : (
    <div class="flashes">
      {flashes.map((f) => (
        <p class={`alert alert-${f.kind}`} role={f.kind === "error" ? "alert" : "status"}>{f.text}</p>
      ))}
    </div>
  );

export const CsrfField: FC<{ token: string }> = ({ token }) => (
  <input type="hidden" name="csrf_token" value={token} />
);

export interface FieldProps {
  readonly label: string;
  /** Element id when a page has two fields of one name (default field-<name>). */
  readonly id?: string;
  readonly name: string;
  readonly type?: "text" | "email" | "password";
  readonly autocomplete?: string;
  readonly required?: boolean;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly value?: string;
  readonly hint?: string;
  readonly inputMode?: "numeric";
}

export const Field: FC<FieldProps> = (p) => {
  const id = p.id ?? `field-${p.name}`;
  return (
    <div class="field">
      <label for={id}>{p.label}</label>
      <input
        id={id}
        name={p.name}
        type={p.type ?? "text"}
        autocomplete={p.autocomplete}
        required={p.required ?? true}
        minlength={p.minLength}
        maxlength={p.maxLength}
        value={p.value}
        inputmode={p.inputMode}
        aria-describedby={p.hint ? `${id}-hint` : undefined}
      />
      {p.hint && <p class="hint" id={`${id}-hint`}>{p.hint}</p>}
    </div>
  );
};

/** The captcha's image and answer field (the original's verifyKey / verifyValue); nothing with nocaptcha. */
export const CaptchaField: FC<{ captchaId: string | undefined }> = ({ captchaId }) =>
  captchaId === undefined ? null : (
    <div class="field captcha">
      <input type="hidden" name="verifyKey" value={captchaId} />
      <label for="field-verifyValue">Type the six digits you see</label>
      <img
        src={`/captcha/${captchaId}.png`}
        width="240"
        height="60"
        alt="Six digits to type into the field below (reload the page for a new image)"
      />
      <input
        id="field-verifyValue"
        name="verifyValue"
        type="text"
        inputmode="numeric"
        autocomplete="off"
        pattern="[0-9]{6}"
        maxlength={6}
        required
      />
    </div>
  );

export const Notice: FC<{ kind?: "info" | "warning"; children?: Child }> = ({ kind, children }) => (
  <p class={`notice notice-${kind ?? "info"}`}>{children}</p>
);

export const MailOffNotice: FC<{ mailEnabled: boolean }> = ({ mailEnabled }) =>
  mailEnabled ? null : (
    <Notice kind="warning">
      Mail server not configured: this pool cannot send email right now. Please contact the pool's
      administrator.
    </Notice>
  );

export const Card: FC<{ title: string; children?: Child; narrow?: boolean }> = (
  { title, children, narrow },
) => (
  <section class={narrow ? "card card-narrow" : "card"}>
    <h1>{title}</h1>
    {children}
  </section>
);
