/**
 * Fresh samples from the current policy for the DPP and DPR routes: two replies per prompt, kept
 * with their own prompt ids, in token space, with the generating version.
 */
package sail.server.training.rollout;
