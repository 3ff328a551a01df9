// Cross-check helper: runs OpenZeppelin's own @openzeppelin/merkle-tree on jobs read as JSON from stdin.
//
// stdin:  [{"op": "of", "values": [[...], ...], "leafEncoding": ["address", "uint256"]},
//          {"op": "load", "dump": {...standard-v1...}},
//          {"op": "time", "values": [...], "leafEncoding": [...]}]
// stdout: one result per job, in order: {"root", "dump", "proofs"} for "of"/"load" (proofs of every value, in
//         value order), {"root", "seconds"} for "time" (StandardMerkleTree.of + root, timed inside node).
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";

function describe(tree) {
  const proofs = [];
  for (const [index] of tree.entries()) {
    proofs.push(tree.getProof(index));
  }
  return { root: tree.root, dump: tree.dump(), proofs };
}

function run(job) {
  switch (job.op) {
    case "of":
      return describe(StandardMerkleTree.of(job.values, job.leafEncoding));
    case "load":
      return describe(StandardMerkleTree.load(job.dump));
    case "time": {
      const started = performance.now();
      const tree = StandardMerkleTree.of(job.values, job.leafEncoding);
      const root = tree.root;
      return { root, seconds: (performance.now() - started) / 1000 };
    }
    default:
      throw new Error(`unknown op ${job.op}`);
  }
}

const jobs = JSON.parse(readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(jobs.map(run)));
