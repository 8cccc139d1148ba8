/** Requests a worker has accepted and not finished: the drain waits for this to reach 0. */
export const activeRequests = { count: 0 }
