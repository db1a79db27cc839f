// What `npm start -- --demo` prints once the marketplace is seeded: the tasks in each state, as the API reads them
// from the chain (`GET /tasks/{id}`), a few tasks worth opening, and example searches.
import { TaskMarketApi, type TaskStatusName } from "../../sdk/src/index.ts";
import { EXISTING_TASK_STATUS_NAMES } from "../../api/src/subgraph/task-status.ts";
import { DEMO_POSTERS } from "./cast.ts";
import type { DemoMarketplace, DemoTask } from "./seed.ts";

/** Each seeded task with the status the API reports for it now (`statusOf`, read live from the chain). */
export async function readDemoStatuses(
  apiUrl: string,
  marketplace: DemoMarketplace,
): Promise<(DemoTask & { actual: TaskStatusName })[]> {
  const api = new TaskMarketApi({ baseUrl: apiUrl });
  const read: (DemoTask & { actual: TaskStatusName })[] = [];
  for (const task of marketplace.tasks) read.push({ ...task, actual: (await api.getTask(task.id)).status });
  return read;
}

/** The summary lines: counts by state, tasks to try, example URLs, and any task not in the state it should be. */
export function demoSummary(
  marketplace: DemoMarketplace,
  statuses: (DemoTask & { actual: TaskStatusName })[],
  urls: { api: string; graphql: string },
): string[] {
  const counts = EXISTING_TASK_STATUS_NAMES.map(
    (status) => [status, statuses.filter((task) => task.actual === status).length] as const,
  );
  const people = marketplace.executors.filter((executor) => executor.kind === "human").length;
  const agents = marketplace.executors.length - people;
  const task = (id: bigint) => `${urls.api}/tasks/${id}`;
  const lines = [
    `${statuses.length} tasks from ${Object.keys(DEMO_POSTERS).length} posters and a coordinator agent; ` +
      `${marketplace.executors.length} executors registered (${people} people, ${agents} agents).`,
    `Tasks by state: ${counts.map(([status, count]) => `${status} ${count}`).join(" · ")}`,
    "",
    "Try:",
    `  ${task(marketplace.auctions.open)}  a reverse auction taking bids`,
    `  ${task(marketplace.auctions.awarded)}  an auction its poster awarded`,
    `  ${task(marketplace.dispute.taskId)}  a submission disputed before the panel arbitrator`,
    `  ${task(marketplace.graph.parent)}  a task a coordinator agent split into subtasks`,
    `  ${task(marketplace.graph.dependencyChain.at(-1)!)}  a task that requires two others`,
    `  ${urls.api}/tasks/search?q=invoices`,
    `  ${urls.api}/tasks/search?state=Posted&executorKind=agent`,
    `  ${urls.api}/reputation/leaderboard`,
    `  GraphQL at ${urls.graphql}: { tasks(orderBy: taskId) { id status bids { bidder { id } price } } }`,
  ];
  const wrong = statuses.filter((task) => task.actual !== task.expected);
  if (wrong.length > 0) {
    lines.push("", "Not in the state the demo meant them to be in:");
    for (const task of wrong) lines.push(`  task ${task.id} (${task.title}): ${task.actual}, not ${task.expected}`);
  }
  return lines;
}
