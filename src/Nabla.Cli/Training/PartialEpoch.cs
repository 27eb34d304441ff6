namespace Nabla.Cli.Training;

// Note [Partial epochs]
// An epoch that training leaves before its last batch (Ctrl+C, a NaN loss, --detect-anomaly) is not an epoch of the
// run: its row would average over part of the data and read as a whole epoch. So it is left out of metrics.csv and
// metrics.svg (which keep the columns older readers know) and no checkpoint is written for it: checkpoint.safetensors
// stays at the last completed epoch, and --resume redoes the cut epoch from its start, bit for bit as an uninterrupted
// run would. The cut epoch is reported instead: on the console and as "partial_epoch" in summary.json. model.safetensors
// holds the weights as they were when training stopped.

/// <summary>The epoch training stopped in before its last batch. See Note [Partial epochs].</summary>
/// <param name="Epoch">The epoch number (from 1).</param>
/// <param name="Batches">The batches trained before stopping.</param>
/// <param name="BatchCount">The batches of a whole epoch.</param>
/// <param name="TrainLoss">The mean training loss over those batches.</param>
/// <param name="TrainAccuracy">The training accuracy over those batches.</param>
public sealed record PartialEpoch(int Epoch, int Batches, int BatchCount, double TrainLoss, double TrainAccuracy);
