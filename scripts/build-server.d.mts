// Types for build-server.mjs (plain JavaScript, so that npm's `prepare` runs it with Node alone).
export declare const ROOT: string;
export declare const BUILD_DIR: string;
export declare const MANIFEST: string;
export declare const BUILD_FORMAT: number;
export declare const ENTRIES: Record<'lab' | 'embedded' | 'proxy' | 'subject' | 'dbThread', string>;
export declare function bundleFile(name: keyof typeof ENTRIES): string;
export declare function fingerprint(file: string, since?: number): string | undefined;
export declare function staleReason(options?: { root?: string; outDir?: string }): string | undefined;
export declare function buildServer(options?: { root?: string; outDir?: string }): Promise<string>;
