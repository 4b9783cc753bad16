/**
 * `Promise.withResolvers` for Node 20.
 *
 * aws-local-stepfunctions 3.x declares Node >= 22 and calls `Promise.withResolvers` (ES2024,
 * Node 22+) every time it runs a Task state; it is the only newer built-in it needs. This is
 * the spec's algorithm (NewPromiseCapability on the `this` value, so subclasses work), with
 * the property attributes of the built-in, installed only where the built-in is missing.
 * Import it before the package.
 */

interface Resolvers<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    value: function withResolvers<T>(this: PromiseConstructor): Resolvers<T> {
      let resolve: Resolvers<T>['resolve'] | undefined;
      let reject: Resolvers<T>['reject'] | undefined;
      // `new this` throws a TypeError when `this` is not a constructor, as the spec requires.
      const promise = new this<T>((res, rej) => {
        if (resolve !== undefined || reject !== undefined) throw new TypeError('Promise executor has already been invoked');
        resolve = res;
        reject = rej;
      });
      if (typeof resolve !== 'function' || typeof reject !== 'function') throw new TypeError('Promise resolve or reject function is not callable');
      return { promise, resolve, reject };
    },
    writable: true,
    enumerable: false,
    configurable: true,
  });
}

export {};
