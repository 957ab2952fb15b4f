import { NavLink, Outlet, useNavigate } from "react-router";
import { setActingOrg } from "../api";
import { useLogOut, useMe } from "../session";
import { ErrorState, Loading } from "./ui";

const NAV: [string, string][] = [
  ["/agents", "Agents"],
  ["/sessions", "Sessions"],
  ["/traces", "Traces"],
  ["/evals", "Evals"],
  ["/drift", "Drift"],
  ["/analytics", "Analytics"],
  ["/insights", "Insights"],
  ["/alerts", "Alerts"],
  ["/connectors", "Connectors"],
  ["/jobs", "Jobs"],
];
const ADMIN_NAV: [string, string][] = [
  ["/team", "Team"],
  ["/keys", "API Keys"],
  ["/policies", "Policies"],
  ["/pricing", "Pricing"],
  ["/settings", "Settings"],
];

function OrgSwitcher() {
  const me = useMe().data;
  const memberships = me?.memberships ?? [];
  if (memberships.length < 2 || !me) return <span className="org-name">{me?.org.name}</span>;
  return (
    <label className="org-switch">
      <span className="visually-hidden">Organization</span>
      <select
        value={me.org.id}
        onChange={(event) => {
          setActingOrg(event.target.value);
          window.location.assign("/agents");
        }}
      >
        {memberships.map((membership) => (
          <option key={membership.orgId} value={membership.orgId}>
            {membership.orgId === me.org.id ? me.org.name : membership.orgId} ({membership.role})
          </option>
        ))}
      </select>
    </label>
  );
}

export function Layout() {
  const me = useMe();
  const logOut = useLogOut();
  const navigate = useNavigate();
  if (me.isPending) return <Loading what="Signing in" />;
  if (me.isError) return <ErrorState error={me.error} />;
  return (
    <div className="shell">
      <aside className="sidebar">
        <a className="brand" href="/agents">
          <span className="logo" aria-hidden="true">
            ◆
          </span>{" "}
          Grounded
        </a>
        <nav aria-label="Main">
          <ul>
            {NAV.map(([to, label]) => (
              <li key={to}>
                <NavLink to={to}>{label}</NavLink>
              </li>
            ))}
          </ul>
          <p className="nav-group">Organization</p>
          <ul>
            {ADMIN_NAV.map(([to, label]) => (
              <li key={to}>
                <NavLink to={to}>{label}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
      </aside>
      <div className="main">
        <header className="topbar">
          <OrgSwitcher />
          <span className="spacer" />
          <span className="muted">
            {me.data.user?.name} · {me.data.role}
          </span>
          <button
            type="button"
            className="button secondary small"
            onClick={() => logOut.mutate(undefined, { onSettled: () => navigate("/login") })}
          >
            Log out
          </button>
        </header>
        <main id="content">
          <Outlet />
        </main>
      </div>
    </div>
  );
}
