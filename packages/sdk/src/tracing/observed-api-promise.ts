/** What {@link observeApiPromise} tells about a call. */
export interface ApiPromiseObserver<T> {
  /** The parsed answer, once (may change it in place, e.g. wrap a stream's iterator). */
  onValue(value: T): void;
  /** The call failed. */
  onError(error: unknown): void;
  /** The caller took the raw `Response` (`asResponse()`): the body is theirs to read. */
  onRawResponse(response: unknown): void;
}

interface ApiPromiseLike<T> extends PromiseLike<T> {
  withResponse?: () => Promise<{ data: T }>;
  asResponse?: () => Promise<unknown>;
}

/**
 * Observes the promise an openai client method returns, without replacing it. The client's
 * `APIPromise` parses the answer only when someone asks (`then`, `withResponse()`), and
 * `asResponse()` hands over the unread body; so observing must be lazy too: the proxy hooks the
 * caller's own `then`/`catch`/`finally`/`withResponse()`/`asResponse()`, and every other member is
 * the original's, bound to it (its `#private` fields do not work through a proxy).
 *
 * @example
 * const promise = observeApiPromise(client.chat.completions.create(body), { onValue, onError, onRawResponse });
 * const { data, response } = await promise.withResponse(); // still works
 */
export function observeApiPromise<T, P extends PromiseLike<T>>(
  promise: P,
  observer: ApiPromiseObserver<T>,
): P {
  let told = false;
  const value = (result: T): T => {
    if (!told) {
      told = true;
      observer.onValue(result);
    }
    return result;
  };
  const error = (reason: unknown): never => {
    if (!told) {
      told = true;
      observer.onError(reason);
    }
    throw reason;
  };
  let observed: Promise<T> | undefined;
  const settled = () => {
    observed ??= Promise.resolve(promise.then(value, error));
    return observed;
  };
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(promise, {
    get(target, property) {
      if (property === 'then')
        return (onFulfilled?: (value: T) => unknown, onRejected?: (reason: unknown) => unknown) =>
          settled().then(onFulfilled, onRejected);
      if (property === 'catch')
        return (onRejected?: (reason: unknown) => unknown) => settled().catch(onRejected);
      if (property === 'finally') return (onFinally?: () => void) => settled().finally(onFinally);
      const member = Reflect.get(target, property, target) as unknown;
      const api = target as ApiPromiseLike<T>;
      if (property === 'withResponse' && typeof api.withResponse === 'function')
        return () =>
          api.withResponse!().then((answer) => {
            value(answer.data);
            return answer;
          }, error);
      if (property === 'asResponse' && typeof api.asResponse === 'function')
        return () =>
          api.asResponse!().then((response) => {
            if (!told) {
              told = true;
              observer.onRawResponse(response);
            }
            return response;
          }, error);
      if (typeof member !== 'function' || property === 'constructor') return member;
      if (!bound.has(property)) bound.set(property, member.bind(target));
      return bound.get(property);
    },
  });
}
