// The suite runs the gateway's Unix lifecycle (signals, file modes, /proc): it targets Unix only.
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
