import { type FormEvent, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { Field, FormError } from "../components/ui";
import { useAskPasswordReset, useSignIn } from "../session";

function AuthFrame({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <main className="auth">
      <div className="auth-card">
        <p className="brand">
          <span className="logo" aria-hidden="true">
            ◆
          </span>{" "}
          Grounded
        </p>
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}

/** A new password, with the API's rule (at least 8 characters) said and checked. */
function NewPassword({ label }: { label: string }) {
  return (
    <Field label={label} hint="At least 8 characters.">
      {(id) => (
        <input id={id} name="password" type="password" autoComplete="new-password" minLength={8} required />
      )}
    </Field>
  );
}

function values(event: FormEvent<HTMLFormElement>): Record<string, string> {
  event.preventDefault();
  return Object.fromEntries(new FormData(event.currentTarget)) as Record<string, string>;
}

export function LogIn() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const logIn = useSignIn("auth/login");
  return (
    <AuthFrame title="Log in">
      {params.get("expired") ? (
        <p className="notice" role="status">
          Your session has ended. Log in again to continue.
        </p>
      ) : null}
      {params.get("deleted") ? (
        <p className="notice" role="status">
          {params.get("deleted") === "org"
            ? "The organization is being deleted: its keys and members were cut off, and its data is being erased."
            : "Your account was deleted."}
        </p>
      ) : null}
      <form
        onSubmit={(event) =>
          logIn.mutate(values(event), { onSuccess: () => navigate(params.get("next") || "/agents") })
        }
      >
        <Field label="Email">
          {(id) => <input id={id} name="email" type="email" autoComplete="email" required />}
        </Field>
        <Field label="Password">
          {(id) => <input id={id} name="password" type="password" autoComplete="current-password" required />}
        </Field>
        <FormError error={logIn.error} />
        <button className="button" type="submit" disabled={logIn.isPending}>
          {logIn.isPending ? "Logging in…" : "Log in"}
        </button>
      </form>
      <p className="muted">
        <Link to="/forgot-password">Forgot your password?</Link>
      </p>
      <p className="muted">
        New to Grounded? <Link to="/signup">Create an account</Link>
      </p>
    </AuthFrame>
  );
}

export function SignUp() {
  const navigate = useNavigate();
  const signUp = useSignIn("auth/signup");
  return (
    <AuthFrame title="Create your account">
      <form onSubmit={(event) => signUp.mutate(values(event), { onSuccess: () => navigate("/agents") })}>
        <Field label="Your name">{(id) => <input id={id} name="name" autoComplete="name" required />}</Field>
        <Field label="Work email">
          {(id) => <input id={id} name="email" type="email" autoComplete="email" required />}
        </Field>
        <NewPassword label="Password" />
        <Field label="Organization name">
          {(id) => <input id={id} name="orgName" autoComplete="organization" required />}
        </Field>
        <FormError error={signUp.error} />
        <button className="button" type="submit" disabled={signUp.isPending}>
          {signUp.isPending ? "Creating…" : "Create account"}
        </button>
      </form>
      <p className="muted">
        Already have an account? <Link to="/login">Log in</Link>
      </p>
    </AuthFrame>
  );
}

export function AcceptInvite() {
  const { token = "" } = useParams();
  const navigate = useNavigate();
  const accept = useSignIn(`invites/${encodeURIComponent(token)}/accept`);
  const [existing, setExisting] = useState(false);
  return (
    <AuthFrame title="Join your team on Grounded">
      <form
        onSubmit={(event) => {
          const given = values(event);
          accept.mutate(existing ? {} : given, { onSuccess: () => navigate("/agents") });
        }}
      >
        {existing ? (
          <p className="muted">You are logged in: accepting adds the org to your account.</p>
        ) : (
          <>
            <Field label="Your name">
              {(id) => <input id={id} name="name" autoComplete="name" required />}
            </Field>
            <NewPassword label="Choose a password" />
          </>
        )}
        <FormError error={accept.error} />
        <button className="button" type="submit" disabled={accept.isPending}>
          Accept invite
        </button>
      </form>
      <button type="button" className="link-button" onClick={() => setExisting(!existing)}>
        {existing ? "I am new to Grounded" : "I already have an account and I am logged in"}
      </button>
    </AuthFrame>
  );
}

export function ForgotPassword() {
  const ask = useAskPasswordReset();
  return (
    <AuthFrame title="Reset your password">
      {ask.isSuccess ? (
        <p className="notice" role="status">
          {ask.data.message}
        </p>
      ) : (
        <form onSubmit={(event) => ask.mutate(values(event) as { email: string })}>
          <Field label="Email">
            {(id) => <input id={id} name="email" type="email" autoComplete="email" required />}
          </Field>
          <FormError error={ask.error} />
          <button className="button" type="submit" disabled={ask.isPending}>
            {ask.isPending ? "Sending…" : "Send a reset link"}
          </button>
        </form>
      )}
      <p className="muted">
        <Link to="/login">Back to log in</Link>
      </p>
    </AuthFrame>
  );
}

/** The emailed link: `/reset-password#<token>` (a fragment never reaches a server's logs). */
export function ResetPassword() {
  const navigate = useNavigate();
  const confirm = useSignIn("auth/password-reset/confirm");
  const token = window.location.hash.slice(1);
  return (
    <AuthFrame title="Choose a new password">
      {token ? (
        <form
          onSubmit={(event) =>
            confirm.mutate(
              { token, password: values(event).password },
              { onSuccess: () => navigate("/agents") },
            )
          }
        >
          <NewPassword label="New password" />
          <p className="muted">Setting a new password signs out every other session of your account.</p>
          <FormError error={confirm.error} />
          <button className="button" type="submit" disabled={confirm.isPending}>
            {confirm.isPending ? "Saving…" : "Set the password and log in"}
          </button>
        </form>
      ) : (
        <p className="notice" role="alert">
          This link is incomplete. <Link to="/forgot-password">Ask for a new one</Link>.
        </p>
      )}
    </AuthFrame>
  );
}
