import { Manifest } from "@diaryx/plugin-sdk-as";

export function manifest(): i32 {
  return new Manifest("diaryx.example.throws", "Throws", "0.1.0", "throws").command("boom").output();
}

export function handle_command(): i32 {
  throw new Error("tag index is corrupt");
}
