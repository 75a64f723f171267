/**
 * Tag sets by ARN, kept between passes. Ownership tags are written at creation and not expected to
 * change, so a steady-state pass need not read them again; an apply that changed anything clears the
 * cache, so tags the controller itself added are read back fresh.
 */
export type TagCache = Map<string, Promise<Record<string, string>>>;

/** The cached tags of `arn`, read with `read` the first time. A failed read is not cached. */
export function cachedTags(
  cache: TagCache,
  arn: string,
  read: () => Promise<Record<string, string>>,
): Promise<Record<string, string>> {
  let tags = cache.get(arn);
  if (!tags) {
    tags = read();
    tags.catch(() => cache.delete(arn));
    cache.set(arn, tags);
  }
  return tags;
}
