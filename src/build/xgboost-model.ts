/**
 * Reads an XGBoost JSON model (`Booster.save_model('model.json')`) into plain trees, refusing, with
 * the JSON field named, whatever featurecast cannot run exactly as XGBoost does. Checked against
 * models and predictions of XGBoost 1.7; the 2.x/3.x differences (bracketed, per-class base_score
 * from 3.1) follow XGBoost's source. Shared by xgboost.ts (ONNX) and xgboost-eval.ts (reference).
 */
import { SpecError } from '../errors.js';

/** The function from summed margin to XGBoost's `predict` output. */
export type XgbLink = 'identity' | 'sigmoid' | 'exp' | 'softmax';

/** One tree, reachable nodes only, renumbered from 0 (the root) in depth-first order. */
export interface XgbTree {
  /** Output (class) the tree adds to, from `tree_info`. */
  group: number;
  /** Split feature; -1 at leaves. */
  feature: number[];
  /** float32 split threshold (x < t goes left); the leaf value at leaves. */
  value: number[];
  left: number[];
  right: number[];
  /** Where a missing (NaN) value goes. */
  defaultLeft: boolean[];
}

/** An XGBoost model as featurecast runs it. */
export interface XgbModel {
  objective: string;
  kind: 'regression' | 'classification';
  link: XgbLink;
  /** Margins per row: 1, or K for multi:*. */
  outputs: number;
  /** 0 for regression, 2 for binary:logistic, K for multi:*. */
  classes: number;
  /** float32 starting margin per output: base_score through the objective's ProbToMargin. */
  baseMargin: number[];
  trees: XgbTree[];
  featureNames?: string[];
}

interface Objective {
  kind: 'regression' | 'classification';
  link: XgbLink;
  /** XGBoost's ProbToMargin for the objective, applied to base_score. */
  toMargin: (p: number) => number;
}

const same = (p: number) => p;
// XGBoost clamps base_score into [1e-6, 1 - 1e-6] before the logit (src/objective/logistic_obj.h).
const logit = (p: number) => {
  const q = Math.min(Math.max(p, 1e-6), 1 - 1e-6);
  return Math.log(q / (1 - q));
};
const OBJECTIVES: Record<string, Objective> = {
  'reg:squarederror': { kind: 'regression', link: 'identity', toMargin: same },
  'reg:linear': { kind: 'regression', link: 'identity', toMargin: same },
  'reg:squaredlogerror': { kind: 'regression', link: 'identity', toMargin: same },
  'reg:pseudohubererror': { kind: 'regression', link: 'identity', toMargin: same },
  'reg:absoluteerror': { kind: 'regression', link: 'identity', toMargin: same },
  'reg:logistic': { kind: 'regression', link: 'sigmoid', toMargin: logit },
  'count:poisson': { kind: 'regression', link: 'exp', toMargin: Math.log },
  'reg:gamma': { kind: 'regression', link: 'exp', toMargin: Math.log },
  'reg:tweedie': { kind: 'regression', link: 'exp', toMargin: Math.log },
  'binary:logistic': { kind: 'classification', link: 'sigmoid', toMargin: logit },
  // Softmax objectives keep ProbToMargin's identity default: base_score is a margin already.
  'multi:softprob': { kind: 'classification', link: 'softmax', toMargin: same },
  'multi:softmax': { kind: 'classification', link: 'softmax', toMargin: same },
};

/** The objectives {@link readXgboost} accepts. */
export const XGBOOST_OBJECTIVES: readonly string[] = Object.keys(OBJECTIVES);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function refuse(message: string, field: string): never {
  throw new SpecError(`model.json: ${message}`, { field });
}

function at(root: unknown, path: string): unknown {
  let v = root;
  for (const key of path.split('.')) v = isObj(v) ? v[key] : undefined;
  return v;
}

function objectAt(root: unknown, path: string): Obj {
  const v = at(root, path);
  if (!isObj(v)) refuse(`${path} is missing; is this a model saved by XGBoost's Booster.save_model('model.json')?`, path);
  return v;
}

/** XGBoost writes its parameters as strings ("3", "5E-1"); older or hand-made files may hold numbers. */
function numberAt(root: unknown, path: string, fallback?: number): number {
  const v = at(root, path);
  if (v === undefined && fallback !== undefined) return fallback;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : typeof v === 'number' ? v : NaN;
  if (!Number.isFinite(n)) refuse(`${path} is ${JSON.stringify(v)}, not a number`, path);
  return n;
}

function arrayAt(tree: Obj, key: string, where: string, n: number): unknown[] {
  const v = tree[key];
  if (!Array.isArray(v) || v.length !== n)
    refuse(`${where}.${key} is not an array of ${n} (tree_param.num_nodes) entries`, `${where}.${key}`);
  return v;
}

/** base_score is "5E-1" up to XGBoost 3.0, "[5E-1]" or one value per output from 3.1. */
function baseScores(learner: unknown, outputs: number): number[] {
  const path = 'learner.learner_model_param.base_score';
  const raw = at(learner, 'learner_model_param.base_score');
  let values: unknown[];
  try {
    const parsed: unknown = typeof raw === 'string' ? JSON.parse(raw.trim().replace(/^\((.*)\)$/, '[$1]')) : raw;
    values = Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    values = [NaN];
  }
  if (!values.every((v) => typeof v === 'number' && Number.isFinite(v)) || (values.length !== 1 && values.length !== outputs)) {
    refuse(`${path} is ${JSON.stringify(raw)}: expected one number or ${outputs}`, path);
  }
  return values.length === 1 ? Array.from({ length: outputs }, () => values[0] as number) : (values as number[]);
}

/** Parses and checks an XGBoost JSON model for a pipeline writing `width` float32 columns. */
export function readXgboost(json: unknown, width: number): XgbModel {
  const learner = objectAt(json, 'learner');
  const booster = objectAt(learner, 'gradient_booster');
  const boosterPath = 'learner.gradient_booster.name';
  if (booster.name === 'dart')
    refuse(
      `${boosterPath} is "dart": DART models are not supported (their trees are weighted at prediction); train with booster "gbtree"`,
      boosterPath,
    );
  if (booster.name === 'gblinear')
    refuse(`${boosterPath} is "gblinear": linear boosters are not supported, only tree models (booster "gbtree")`, boosterPath);
  if (booster.name !== 'gbtree')
    refuse(`${boosterPath} is ${JSON.stringify(booster.name)}; featurecast supports booster "gbtree"`, boosterPath);

  const objectivePath = 'learner.objective.name';
  const objective = at(learner, 'objective.name');
  const spec = typeof objective === 'string' && Object.hasOwn(OBJECTIVES, objective) ? OBJECTIVES[objective] : undefined;
  if (!spec)
    refuse(`${objectivePath} is ${JSON.stringify(objective)}; featurecast supports ${XGBOOST_OBJECTIVES.join(', ')}`, objectivePath);
  const name = objective as string;

  const param = 'learner.learner_model_param';
  const targets = numberAt(learner, 'learner_model_param.num_target', 1);
  if (targets > 1) refuse(`${param}.num_target is ${targets}: multi-target regression is not supported`, `${param}.num_target`);
  const numClass = numberAt(learner, 'learner_model_param.num_class', 0);
  const multi = spec.link === 'softmax';
  if (multi ? numClass < 2 : numClass > 1)
    refuse(`${param}.num_class is ${numClass}, which does not fit objective ${name}`, `${param}.num_class`);
  const outputs = multi ? numClass : 1;
  const numFeature = numberAt(learner, 'learner_model_param.num_feature', width);
  if (numFeature !== width)
    refuse(
      `${param}.num_feature is ${numFeature}: the model was trained on ${numFeature} columns, the pipeline writes ${width}`,
      `${param}.num_feature`,
    );

  const model = objectAt(booster, 'model');
  const leafVector = numberAt(model, 'gbtree_model_param.size_leaf_vector', 0);
  if (leafVector > 1)
    refuse(
      `learner.gradient_booster.model.gbtree_model_param.size_leaf_vector is ${leafVector}: multi-output trees (multi_strategy "multi_output_tree") are not supported`,
      'learner.gradient_booster.model.gbtree_model_param.size_leaf_vector',
    );
  const trees = model.trees;
  const info = model.tree_info;
  if (!Array.isArray(trees) || trees.length === 0)
    refuse('learner.gradient_booster.model.trees is empty: the model has no trees', 'learner.gradient_booster.model.trees');
  if (!Array.isArray(info) || info.length !== trees.length)
    refuse('learner.gradient_booster.model.tree_info does not give one class per tree', 'learner.gradient_booster.model.tree_info');

  const baseMargin = baseScores(learner, outputs).map((p) => Math.fround(spec.toMargin(p)));
  if (!baseMargin.every(Number.isFinite)) refuse(`${param}.base_score has no margin under ${name}`, `${param}.base_score`);
  const names = learner.feature_names;
  return {
    objective: name,
    kind: spec.kind,
    link: spec.link,
    outputs,
    classes: spec.kind === 'regression' ? 0 : Math.max(outputs, 2),
    baseMargin,
    trees: trees.map((tree, i) => readTree(tree, i, info[i], outputs, width)),
    ...(Array.isArray(names) && names.length > 0 ? { featureNames: names.map(String) } : {}),
  };
}

function readTree(tree: unknown, index: number, group: unknown, outputs: number, width: number): XgbTree {
  const where = `learner.gradient_booster.model.trees[${index}]`;
  if (!isObj(tree)) refuse(`${where} is not an object`, where);
  if (!Number.isInteger(group) || (group as number) < 0 || (group as number) >= outputs) {
    refuse(
      `learner.gradient_booster.model.tree_info[${index}] is ${JSON.stringify(group)}, not an output in 0..${outputs - 1}`,
      `learner.gradient_booster.model.tree_info[${index}]`,
    );
  }
  const leafVector = numberAt(tree, 'tree_param.size_leaf_vector', 0);
  if (leafVector > 1)
    refuse(
      `${where}.tree_param.size_leaf_vector is ${leafVector}: multi-output trees are not supported`,
      `${where}.tree_param.size_leaf_vector`,
    );
  if (Array.isArray(tree.categories) && tree.categories.length > 0) {
    refuse(
      `${where}.categories is not empty: categorical splits are not supported; one-hot or ordinal-encode the column in the pipeline instead`,
      `${where}.categories`,
    );
  }
  const n = numberAt(tree, 'tree_param.num_nodes');
  const lefts = arrayAt(tree, 'left_children', where, n);
  const rights = arrayAt(tree, 'right_children', where, n);
  const features = arrayAt(tree, 'split_indices', where, n);
  const conds = arrayAt(tree, 'split_conditions', where, n);
  const defaults = arrayAt(tree, 'default_left', where, n);
  const types = Array.isArray(tree.split_type) ? tree.split_type : [];

  const out: XgbTree = { group: group as number, feature: [], value: [], left: [], right: [], defaultLeft: [] };
  const seen = new Set<number>();
  // Walk from the root: nodes the pruner deleted stay in the arrays but are unreachable.
  const visit = (k: number): number => {
    if (!Number.isInteger(k) || k < 0 || k >= n || seen.has(k))
      refuse(`${where}: node ${k} is not a valid child (left_children/right_children)`, `${where}.left_children`);
    seen.add(k);
    const id = out.feature.length;
    const value = Number(conds[k]);
    if (!Number.isFinite(value))
      refuse(`${where}.split_conditions[${k}] is ${JSON.stringify(conds[k])}, not a finite number`, `${where}.split_conditions`);
    // Leaf values are split_conditions at leaves; base_weights there is the weight before the learning rate.
    out.feature.push(-1);
    out.value.push(Math.fround(value));
    out.left.push(-1);
    out.right.push(-1);
    out.defaultLeft.push(false);
    if (lefts[k] === -1) return id;
    if (types[k] !== undefined && types[k] !== 0)
      refuse(`${where}.split_type[${k}] is ${JSON.stringify(types[k])}: categorical splits are not supported`, `${where}.split_type`);
    const f = features[k];
    if (!Number.isInteger(f) || (f as number) < 0)
      refuse(`${where}.split_indices[${k}] is ${JSON.stringify(f)}, not a feature index`, `${where}.split_indices`);
    if ((f as number) >= width) {
      throw new SpecError(`model.json uses feature ${f as number} (${where}.split_indices[${k}]), the pipeline writes ${width} columns`, {
        field: `${where}.split_indices`,
      });
    }
    out.feature[id] = f as number;
    out.defaultLeft[id] = defaults[k] === true || defaults[k] === 1;
    out.left[id] = visit(lefts[k] as number);
    out.right[id] = visit(rights[k] as number);
    return id;
  };
  visit(0);
  return out;
}
