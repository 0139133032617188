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
 */
public record TrainerState(
    long step, long optimizerStep, SamplerState sampler, long publishedVersion) {}
