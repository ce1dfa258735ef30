import HealthConfig

/// The config in force and its epoch, changed only by the control loop's reloads. The epoch
/// counts the configs applied: the scheduler tags the definitions a reload changed with it.
struct RunningConfig {
    var config: Config
    var epoch: Int
}
