package io.maskkv.server;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "certs", mixinStandardHelpOptions = true,
    description = {"Write a development CA and certificates signed by it (PEM): ca.pem, and NAME.pem + NAME-key.pem "
        + "per --names. Enough for TLS on the public API (serve --tls-cert/--tls-key) and mutual TLS between the "
        + "controller and workers (worker --tls-cert/--tls-key/--tls-ca; controller maskkv.auth.cluster-tls-*).",
        "Valid 30 days for localhost, 127.0.0.1 and --hosts. Use a real CA in production."})
public final class CertsCommand implements Callable<Integer> {
  @Option(names = "--out", required = true, description = "folder to write into")
  Path out;

  @Option(names = "--names", split = ",", defaultValue = "controller,worker",
      description = "one certificate per name (default: ${DEFAULT-VALUE})")
  List<String> names;

  @Option(names = "--hosts", split = ",", defaultValue = "",
      description = "extra DNS names or IP addresses the certificates are valid for")
  List<String> hosts;

  @Override
  public Integer call() {
    List<String> extra = hosts.stream().filter(h -> !h.isBlank()).toList();
    for (DevCertificates.Pair p : DevCertificates.write(out, names, extra)) {
      System.out.println(p.cert() + " " + p.key());
    }
    System.out.println(out.resolve("ca.pem"));
    return 0;
  }
}
