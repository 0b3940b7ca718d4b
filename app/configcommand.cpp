#include "configcommand.h"

#include "clioutput.h"
#include "commandline.h"

#include "config/configcommandline.h"
#include "config/configjson.h"

namespace cachescope {

ConfigCommandOutput runConfigCommand(const QStringList &args, const QHash<QString, QString> &processEnvironment)
{
    ConfigCommandOutput o;
    CommandLine cl(QStringLiteral("config show"),
                   QStringLiteral("Loads a superset_config.py without running it and prints every cache's resolved\n"
                                  "settings and the doctor's findings. Exit status 0 when it loaded (even with\n"
                                  "warnings), 1 when it did not (with file:line:column)."));
    cl.setSynopsis(QStringLiteral("FILE [--json] [--show-secrets] [--all] [--env K=V]... [--env-file F] [--no-process-env]\n"
                                  "[--pythonpath DIR]..."));
    cl.setOutput(&o.out, &o.err);
    cl.addJsonOption(QStringLiteral("Print the report as JSON."));
    cl.addFlag(QStringLiteral("show-secrets"), QStringLiteral("Print passwords instead of masking them."));
    cl.addFlag(QStringLiteral("all"), QStringLiteral("With --json: every top-level setting, not only the known ones."));
    cl.addEnvironmentOptions();
    cl.addPositional(QStringLiteral("FILE"), QStringLiteral("The superset_config.py (read, never run)."));

    // `config` has one sub-command; `cachescope config --help` shows its help too.
    QStringList rest = args;
    if (!rest.isEmpty() && rest.first() == u"show")
        rest.removeFirst();
    else if (!rest.contains(QStringLiteral("--help")) && !rest.contains(QStringLiteral("-h")))
        o.exitCode = cl.usageError(rest.isEmpty() ? QStringLiteral("missing sub-command: show")
                                                  : QStringLiteral("unknown sub-command '%1' (show)").arg(rest.first()));
    if (o.exitCode)
        return o;
    if (const auto exit = cl.parse(rest)) {
        o.exitCode = *exit;
        return o;
    }
    const auto options = cl.environment().loaderOptions(processEnvironment);
    if (!options) {
        o.exitCode = cl.usageError(options.error());
        return o;
    }
    const bool showSecrets = cl.isSet(QStringLiteral("show-secrets"));
    const ConfigReport report = ConfigLoader::loadFile(cl.positionals().first(), *options);
    if (cl.isSet(QStringLiteral("json")))
        o.out = ConfigJson::report(report, ConfigJson::Options{showSecrets, cl.isSet(QStringLiteral("all"))}) + '\n';
    else
        o.out = ConfigCommandLine::humanReport(report, showSecrets);
    if (!report.loaded)
        o.exitCode = cl.fail(showSecrets ? report.error : ConfigJson::maskUrlPassword(report.error));
    return o;
}

int runConfigCommand(const QStringList &args)
{
    const ConfigCommandOutput o = runConfigCommand(args, ConfigCommandLine::systemEnvironment());
    cli::writeOut(o.out);
    cli::flushOut();
    cli::writeErr(o.err);
    return o.exitCode;
}

} // namespace cachescope
