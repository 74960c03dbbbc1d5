import ArgumentParser
import Foundation
import SpaceDoctor
import SpaceHistory
import SpaceTriage

/// `space-triage heal OWNER/NAME [--yes]`: restart, then factory rebuild, within budget.
struct HealCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "heal",
    abstract: "Act on a transient failure within budget: restart once, then factory rebuild once, then stop (a dry run without --yes).",
    discussion: """
      Reads the Space like doctor. Only when the primary finding is transient (escalated or not) \
      and no error check explains the failure, it restarts the Space (POST /api/spaces/OWNER/NAME/restart) \
      and watches until a verdict; if the same transient failure comes back, it factory rebuilds once \
      (…/restart?factory=true) and watches; if it comes back again, it stops and reports it \
      persistent. It never acts on a persistent, failure-class or unknown verdict, and stops as soon \
      as the Space is healthy. The budget (one restart and one factory rebuild per Space per 24 h) is \
      kept in the history store, so a cron job cannot loop. Without --yes it prints the plan and \
      sends nothing. Acting needs HF_TOKEN with write access to the Space.
      Exit status: the verdict the Space ends with (0 healthy, 75 transient, 4 persistent, 3 unknown); \
      77 token missing or without write access; 66 unknown Space; 74 network error; 64 usage.
      """)
  @OptionGroup var catalogOptions: CatalogOptions
  @OptionGroup var historyOptions: HistoryOptions
  @Flag(help: "Act: send the restart / factory rebuild (default: a dry run that prints the plan).")
  var yes = false
  @Option(name: .customLong("log-wait"), help: ArgumentHelp("Stop reading a log after this many seconds without a new line.", valueName: "seconds"))
  var logWait: Double = 3
  @Option(name: .customLong("poll"), help: ArgumentHelp("Seconds between two looks at the runtime after a restart.", valueName: "seconds"))
  var poll: Double = 10
  @Option(name: .customLong("watch-timeout"), help: ArgumentHelp("Stop waiting for a restart to settle after this many seconds.", valueName: "seconds"))
  var watchTimeout: Double = 1800
  @Argument(help: ArgumentHelp("The Space.", valueName: "owner/name"))
  var space: String

  mutating func validate() throws {
    guard Watch.isSpaceName(space) else { throw ValidationError("wants OWNER/NAME (got `\(Redactor.standard.redact(space))`).") }
    guard logWait.isFinite, logWait >= 0, logWait <= 600 else { throw ValidationError("--log-wait wants a number of seconds from 0 to 600.") }
    guard poll.isFinite, poll >= 0 else { throw ValidationError("--poll wants a number of seconds.") }
    guard watchTimeout.isFinite, watchTimeout >= 0 else { throw ValidationError("--watch-timeout wants a number of seconds.") }
    if yes && historyOptions.noHistory {
      throw ValidationError("heal --yes keeps its budget in the history store; drop --no-history (a dry run may use it).")
    }
  }

  func run() throws {
    let environment = ProcessInfo.processInfo.environment
    guard let request = SpaceLogsRequest.fromEnvironment(environment, space: space, kind: .run) else {
      Output.error("HF_ENDPOINT must be an http(s) URL such as https://huggingface.co")
      throw ExitStatus.usage.exitCode
    }
    let catalog = try catalogOptions.compiledCatalog()
    var options = Healer.Options()
    options.apply = yes
    options.logWait = logWait
    options.pollInterval = poll
    options.watchTimeout = watchTimeout
    let healer = Healer(
      space: space, endpoint: request.endpoint, token: request.token, catalog: catalog, store: historyOptions.open(), options: options,
      now: HistoryOptions.now, say: { Output.write(Redactor.standard.redact($0) + "\n") })
    do {
      throw ExitStatus(try healer.run()).exitCode
    } catch let error as SpaceLogsError {
      Output.error(error.message)
      switch error.kind {
      case .notFound: throw ExitStatus.cannotOpen.exitCode
      case .notAuthorised: throw ExitStatus.notAuthorised.exitCode
      case .network: throw ExitStatus.ioError.exitCode
      }
    }
  }
}
