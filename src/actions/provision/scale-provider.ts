/** Current size of a pool, with the provider's limits when it has them (AWS MinSize/MaxSize). */
export interface PoolSize {
  readonly replicas: number;
  readonly min?: number;
  readonly max?: number;
}

/** A pool whose size is set to an absolute target (Kubernetes scale subresource, AWS ASG). */
export interface ScaleProvider {
  /** What is scaled, for messages and results ("MachineDeployment gpu/a100", "asg gpu-a100"). */
  readonly resource: string;
  read(): Promise<PoolSize>;
  /** Set the size to `target` (absolute, so repeating it is harmless). */
  apply(target: number): Promise<void>;
}
