// Minimal types for node-red-node-test-helper 0.3 (it ships none): what our tests use.
declare module 'node-red-node-test-helper' {
  interface TestResponse {
    status: number;
    body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
    text: string;
    headers: Record<string, string>;
  }
  interface TestRequest extends PromiseLike<TestResponse> {
    send(body: unknown): TestRequest;
    set(header: string, value: string): TestRequest;
    query(query: Record<string, unknown> | string): TestRequest;
    type(type: string): TestRequest;
    redirects(n: number): TestRequest;
    expect(status: number): TestRequest;
  }
  interface RequestAgent {
    get(url: string): TestRequest;
    post(url: string): TestRequest;
    put(url: string): TestRequest;
    delete(url: string): TestRequest;
  }
  interface HelperNode {
    id: string;
    type: string;
    credentials: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    on(event: string, listener: (...args: any[]) => void): unknown; // eslint-disable-line @typescript-eslint/no-explicit-any
    receive(msg: unknown): void;
    [key: string]: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  }
  interface NodeTestHelper {
    init(runtimePath?: string, userSettings?: Record<string, unknown>): void;
    settings(userSettings?: Record<string, unknown>): Record<string, unknown>;
    load(
      /** One node module or an array of them. */
      nodes: unknown,
      flow: unknown[],
      credentials?: Record<string, unknown>,
    ): Promise<void>;
    unload(): Promise<void>;
    getNode(id: string): HelperNode;
    clearFlows(): Promise<void>;
    setFlows(
      flow: unknown[],
      type?: 'full' | 'flows' | 'nodes',
      credentials?: Record<string, unknown>,
    ): Promise<void>;
    request(): RequestAgent;
    startServer(): Promise<void>;
    stopServer(): Promise<void>;
    url(): string;
    log(): unknown;
  }
  const helper: NodeTestHelper;
  export = helper;
}
