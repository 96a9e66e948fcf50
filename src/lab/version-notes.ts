/** Notes on what a fixture says that the lab runs otherwise (topology.ts). Pure. */
import type { Fabric } from '../fabric/types.js';
import { modelVersions } from '../fabric/weight-model.js';
import { labFrrVersion, labWeightModel, type LabFrrVersion } from './frr-versions.js';

/**
 * What the fixture says that the lab does not run as such, said and predicted as what runs: a version
 * other than the node's lab version (`--frr` given), or an explicit weight model other than that
 * version's (frr8 is also the default when nothing is said, so it is not noted).
 */
export function versionNotes(fabric: Fabric, versions: ReadonlyMap<string, LabFrrVersion>): string[] {
  return [...fabric.spines, ...fabric.leaves].flatMap((n) => {
    const runs = versions.get(n.name)!;
    const model = labWeightModel(runs);
    if (n.frr && labFrrVersionOrNull(n.frr.text) !== runs) return [`${n.name}: the fixture says FRR ${n.frr.text}; the lab runs ${runs} there and predicts its weights (${model})`];
    if (!n.frr && n.weights !== 'ecmp' && n.weights !== 'frr8' && n.weights !== model) return [`${n.name}: the fixture's weights are those of ${modelVersions(n.weights)}; the lab's FRR ${runs} weights as ${modelVersions(model)} do`];
    return [];
  });
}

function labFrrVersionOrNull(text: string): LabFrrVersion | null {
  try {
    return labFrrVersion(text);
  } catch {
    return null;
  }
}
