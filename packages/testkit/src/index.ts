export { corpusDir, corpusPath } from "./corpus";
export { countImages, createTestDatabase, serverUrl, type TestDatabase } from "./database";
export { type ImageServer, type Route, startImageServer } from "./image-server";
export { accepts, freePort } from "./ports";
export { type ProvidedServer, provideServer } from "./provide-server";
