/** The project a Langfuse test server's keys belong to. */
export interface LangfuseTestProject {
  readonly id: string;
  readonly name: string;
}

/** The project of a test server unless its options name another. */
export const DEFAULT_TEST_PROJECT: LangfuseTestProject = { id: 'cm-test-project', name: 'mini-agent test project' };

/** What a route answers: status and JSON body. */
export interface RouteAnswer {
  readonly status: number;
  readonly body: unknown;
}

/**
 * `/api/public/projects` as Langfuse's web server answers it for a project's API keys: only GET
 * and POST exist (405 otherwise, checked before the keys); GET lists the one project the keys
 * belong to as `{ data: [{ id, name, metadata }] }`; POST creates projects with an organization
 * key only, so a project key gets 403.
 */
export function answerProjects(method: string, project: LangfuseTestProject): RouteAnswer {
  if (method === 'GET') return { status: 200, body: { data: [{ id: project.id, name: project.name, metadata: {} }] } };
  return { status: 403, body: { message: 'Invalid API key. Organization-scoped API key required for this operation.' } };
}

/** Whether the route has this method at all (Langfuse answers 405 before checking the keys). */
export function projectsMethodAllowed(method: string): boolean {
  return method === 'GET' || method === 'POST';
}
