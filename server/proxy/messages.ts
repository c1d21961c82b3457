/** IPC messages between the supervisor and the latency proxy process. */
export type ProxyMessage = { type: 'setLatency'; ms: number };
export type ProxyReport = { type: 'ready'; port: number } | { type: 'latencySet'; ms: number };
