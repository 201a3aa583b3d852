// Servers before clients: a task resolves a Service Connect name only if it
// started after the server's deployment completed (AWS), so each client
// moves after the services it calls. Services that call each other in a
// cycle cannot be ordered: they move as one group, with a warning. Pure.
// Source: Amazon ECS Developer Guide, "Service Connect" (existing tasks cannot
// resolve a new endpoint; deploy servers before clients).

export interface RolloutOrder {
  /** label → the labels it must move after (its servers outside its own cycle). */
  after: Map<string, string[]>;
  /** label → 1-based position in the order (servers first; a cycle shares one). */
  position: Map<string, number>;
  /** Groups of services that call each other, each sorted. */
  cycles: string[][];
}

/** `servers`: label → labels of the services it calls (only services being moved). */
export function rolloutOrder(servers: Map<string, string[]>): RolloutOrder {
  const labels = [...servers.keys()].sort();
  // Tarjan's strongly connected components.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const component = new Map<string, number>();
  const components: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of servers.get(v) ?? []) {
      if (!servers.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const members: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.set(w, components.length);
        members.push(w);
      } while (w !== v);
      components.push(members.sort());
    }
  };
  for (const v of labels) if (!index.has(v)) visit(v);

  const after = new Map(labels.map((v) => [v, [...new Set((servers.get(v) ?? [])
    .filter((w) => servers.has(w) && component.get(w) !== component.get(v)))].sort()]));
  // Tarjan emits components servers-first, so one pass settles positions.
  const componentPosition: number[] = [];
  for (const [c, members] of components.entries()) {
    componentPosition[c] = 1 + Math.max(0, ...members.flatMap((v) => after.get(v)!.map((w) => componentPosition[component.get(w)!]!)));
  }
  return {
    after,
    position: new Map(labels.map((v) => [v, componentPosition[component.get(v)!]!])),
    cycles: components.filter((members) => members.length > 1),
  };
}
