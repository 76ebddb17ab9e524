/** What a result was measured on: it travels with every saved result. */
import { cpus, release, totalmem } from "node:os";

export interface Machine {
  date: string;
  node: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
}

export interface Saved<T> {
  machine: Machine;
  data: T;
}

export function machine(): Machine {
  const list = cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpu: list[0]?.model.trim() ?? "unknown",
    cores: list.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: `${process.platform} ${release()}`,
  };
}
