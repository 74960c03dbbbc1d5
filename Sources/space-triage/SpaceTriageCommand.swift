import ArgumentParser

/// `space-triage`: reads Hugging Face Space logs and says what went wrong and what to do next.
@main
struct SpaceTriageCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "space-triage",
    abstract: "Read Hugging Face Space logs: say what went wrong, whether a retry will help, and what to do next.",
    discussion: ExitStatus.helpText,
    version: "0.1.0",
    subcommands: [Classify.self, Watch.self, Patterns.self, DoctorCommand.self, HistoryCommand.self, HealCommand.self, FleetCommand.self]
  )

  static func main() {
    Output.ignoreSIGPIPE()
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch {
      exit(withError: error)
    }
  }
}
