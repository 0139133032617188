package sail.server.training;

import sail.server.training.mixture.SamplerState;

/**
 * What a training checkpoint needs besides weights and optimizer moments to continue exactly where
 * it stopped ({@code trainer.json}).
 *
 * @param step optimiser steps taken
 * @param optimizerStep the optimizer's own step count (bias correction)
 * @param sampler the mixture sampler's cursors and step
 * @param publishedVersion version served when the checkpoint was written
 * @param optimizerMomentumSteps the optimizer's steps since its momentum last restarted ({@link
 *     AdamW#momentumSteps}); null in checkpoints written before it was kept, read as {@code
 *     optimizerStep}
 */
public record TrainerState(
    long step,
    long optimizerStep,
    SamplerState sampler,
    long publishedVersion,
    Long optimizerMomentumSteps) {
  /** The optimizer's steps since its momentum last restarted. */
  long momentumSteps() {
    return optimizerMomentumSteps == null ? optimizerStep : optimizerMomentumSteps;
  }
}
