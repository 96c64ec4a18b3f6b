package io.maskkv.common.security;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * The cluster credential on gRPC calls between the controller and its workers: the caller signs each call
 * ({@link #client}), the callee refuses unsigned or wrongly signed calls with UNAUTHENTICATED and answers with its
 * proof ({@link #server}), and the caller fails the call when that proof is missing, so neither side talks to an
 * impostor.
 */
public final class ClusterCalls {
  static final Metadata.Key<String> SIGNED = Metadata.Key.of("x-maskkv-cluster", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> PROOF =
      Metadata.Key.of("x-maskkv-cluster-proof", Metadata.ASCII_STRING_MARSHALLER);

  private ClusterCalls() {}

  /** The callee's side: only holders of the secret get through. */
  public static ServerInterceptor server(ClusterSecret secret) {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
          ServerCallHandler<Q, R> next) {
        String signed = headers.get(SIGNED);
        if (!secret.verify(signed)) {
          call.close(Status.UNAUTHENTICATED.withDescription(signed == null
              ? "this port serves only the maskkv cluster: the call carries no cluster credential"
              : "the cluster credential is wrong or expired (check MASKKV_CLUSTER_SECRET and the clocks)"),
              new Metadata());
          return new ServerCall.Listener<>() {};
        }
        ServerCall<Q, R> answered = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          @Override
          public void sendHeaders(Metadata responseHeaders) {
            responseHeaders.put(PROOF, secret.proof(signed));
            super.sendHeaders(responseHeaders);
          }
        };
        return next.startCall(answered, headers);
      }
    };
  }

  /** The caller's side: signs each call and checks the callee's proof before any reply gets through. */
  public static ClientInterceptor client(ClusterSecret secret) {
    return new ClientInterceptor() {
      @Override
      public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        String signed = secret.sign();
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
          private volatile boolean impostor;

          @Override
          public void start(Listener<R> listener, Metadata headers) {
            headers.put(SIGNED, signed);
            super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
              @Override
              public void onHeaders(Metadata h) {
                if (!secret.verifyProof(signed, h.get(PROOF))) {
                  impostor = true;
                  cancel("the peer did not prove it holds the cluster secret", null);
                  return;
                }
                super.onHeaders(h);
              }

              @Override
              public void onMessage(R message) {
                if (!impostor) {
                  super.onMessage(message);
                }
              }

              @Override
              public void onClose(Status status, Metadata trailers) {
                super.onClose(impostor ? Status.UNAUTHENTICATED.withDescription(
                    "the peer did not prove it holds the cluster secret (MASKKV_CLUSTER_SECRET differs or is unset "
                        + "there)") : status, trailers);
              }
            }, headers);
          }
        };
      }
    };
  }
}
