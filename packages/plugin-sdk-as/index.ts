// AssemblyScript resolves a package import to its root index.ts.
export * from "./assembly/index";
