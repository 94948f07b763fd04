import { afterAll } from "vitest";
import { removeTempDirs } from "./temp-dir";

// Every test file's temporary folders go when the file ends: `npm test` leaves none behind.
afterAll(removeTempDirs);
