import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { lazy, Suspense } from "react";
import { createBrowserRouter, Navigate, RouterProvider } from "react-router";
import { ApiError, actingOrg, setActingOrg, whenSessionExpires } from "./api";
import { Layout } from "./components/Layout";
import { Loading } from "./components/ui";
import { AgentPage, Agents } from "./pages/Agents";
import { Alerts } from "./pages/Alerts";
import { AcceptInvite, ForgotPassword, LogIn, ResetPassword, SignUp } from "./pages/Auth";
import { ComparePage, Evals, RunPage, SuitePage } from "./pages/Evals";
import {
  Connectors,
  Drift,
  DriftPage,
  Insights,
  Jobs,
  Keys,
  Policies,
  Pricing,
  Settings,
  Team,
} from "./pages/Org";
import { SessionPage, Sessions } from "./pages/Sessions";
import { TracePage, Traces } from "./pages/Traces";

// the charts (and their library) load only when Analytics is opened
const Analytics = lazy(() => import("./pages/Analytics"));

export function makeQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: (failures, error) => !(error instanceof ApiError && error.status < 500) && failures < 2,
        refetchOnWindowFocus: false,
      },
    },
  });
}

function NotFound() {
  return (
    <div className="state">
      <h1>Not found</h1>
      <p>
        There is nothing here. <a href="/agents">Go to your agents</a>.
      </p>
    </div>
  );
}

export const routes = [
  { path: "/login", element: <LogIn /> },
  { path: "/signup", element: <SignUp /> },
  { path: "/invite/:token", element: <AcceptInvite /> },
  { path: "/forgot-password", element: <ForgotPassword /> },
  { path: "/reset-password", element: <ResetPassword /> },
  {
    element: <Layout />,
    children: [
      { path: "/", element: <Navigate to="/agents" replace /> },
      { path: "/agents", element: <Agents /> },
      { path: "/agents/:agentId", element: <AgentPage /> },
      { path: "/sessions", element: <Sessions /> },
      { path: "/sessions/:sessionId", element: <SessionPage /> },
      { path: "/traces", element: <Traces /> },
      { path: "/traces/:traceId", element: <TracePage /> },
      { path: "/evals", element: <Evals /> },
      { path: "/evals/suites/:suiteId", element: <SuitePage /> },
      { path: "/evals/runs/:runId", element: <RunPage /> },
      { path: "/evals/runs/:runId/compare/:otherRunId", element: <ComparePage /> },
      { path: "/drift", element: <Drift /> },
      { path: "/drift/:reportId", element: <DriftPage /> },
      {
        path: "/analytics",
        element: (
          <Suspense fallback={<Loading what="Loading charts" />}>
            <Analytics />
          </Suspense>
        ),
      },
      { path: "/insights", element: <Insights /> },
      { path: "/connectors", element: <Connectors /> },
      { path: "/jobs", element: <Jobs /> },
      { path: "/team", element: <Team /> },
      { path: "/keys", element: <Keys /> },
      { path: "/policies", element: <Policies /> },
      { path: "/alerts", element: <Alerts /> },
      { path: "/pricing", element: <Pricing /> },
      { path: "/settings", element: <Settings /> },
      { path: "*", element: <NotFound /> },
    ],
  },
];

export function App() {
  const client = makeQueryClient();
  const router = createBrowserRouter(routes);
  whenSessionExpires(() => {
    const expired = actingOrg() !== null;
    setActingOrg(null);
    client.clear();
    const next = encodeURIComponent(window.location.pathname + window.location.search);
    if (!window.location.pathname.startsWith("/login"))
      router.navigate(`/login?${expired ? "expired=1&" : ""}next=${next}`);
  });
  return (
    <QueryClientProvider client={client}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}
