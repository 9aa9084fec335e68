/**
 * Builds a value on first use and keeps it for the life of the function instance. Handlers take
 * their dependencies as `() => T` getters defaulting to such builders: nothing is built at import
 * (a unit test passes fakes, with no environment to set), and each function builds only what it calls.
 */
export function once<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}
