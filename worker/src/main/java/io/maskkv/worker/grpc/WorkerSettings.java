package io.maskkv.worker.grpc;

/**
 * How a worker presents itself.
 *
 * @param workerId stable id; empty = the advertised address
 * @param model model name; empty = the model folder's name
 * @param group replica group label; empty = the controller forms groups from layer ranges
 * @param capacityBytes KV bytes the worker admits sessions against
 * @param address host:port the controller reaches the worker at (advertised on registration)
 */
public record WorkerSettings(String workerId, String model, String group, long capacityBytes, String address) {
  /** 2 GiB of KV unless configured. */
  public static final long DEFAULT_CAPACITY = 2L << 30;

  public WorkerSettings {
    workerId = workerId == null ? "" : workerId;
    model = model == null ? "" : model;
    group = group == null ? "" : group;
    address = address == null ? "" : address;
    if (capacityBytes <= 0) {
      throw new IllegalArgumentException("KV capacity must be positive, got " + capacityBytes);
    }
  }

  public WorkerSettings withAddress(String a) {
    return new WorkerSettings(workerId, model, group, capacityBytes, a);
  }
}
