// IPv4 CIDR blocks as ranges of integers: enough to say whether a route or a
// security group rule covers another network.

function range(cidr: string): [number, number] | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(cidr.trim());
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = match[5] === undefined ? 32 : Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const address = octets.reduce((a, o) => a * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  const start = Math.floor(address / size) * size;
  return [start, start + size - 1];
}

/** Does `outer` contain every address of `inner`? */
export function cidrContains(outer: string, inner: string): boolean {
  const [o, i] = [range(outer), range(inner)];
  return !!o && !!i && o[0] <= i[0] && i[1] <= o[1];
}
