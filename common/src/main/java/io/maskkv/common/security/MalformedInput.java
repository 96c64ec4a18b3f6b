package io.maskkv.common.security;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a bad frame cheap. grpc-java parses a request before any interceptor sees it, and a parse failure (not a
 * protobuf message, invalid UTF-8 in a string field) escapes as an exception: the call ends UNKNOWN and the
 * executor logs a SEVERE stack trace per request. A guarded service parses leniently instead and ends such a call
 * with INVALID_ARGUMENT and at most one log line per interval.
 */
public final class MalformedInput {
  private static final Logger LOG = LoggerFactory.getLogger(MalformedInput.class);
  private static final RateLimitedLog WARN = new RateLimitedLog(LOG, 10_000);

  private MalformedInput() {}

  /** The service with lenient parsing, behind these interceptors (the first one sees each call first). */
  public static ServerServiceDefinition guard(ServerServiceDefinition service, ServerInterceptor... interceptors) {
    List<ServerInterceptor> order = new ArrayList<>(List.of(interceptors));
    java.util.Collections.reverse(order); // ServerInterceptors.intercept runs the last one first
    ServerServiceDefinition inner = ServerInterceptors.intercept(service, order);
    ServiceDescriptor old = inner.getServiceDescriptor();
    ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(old.getName())
        .setSchemaDescriptor(old.getSchemaDescriptor());
    List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
    for (ServerMethodDefinition<?, ?> m : inner.getMethods()) {
      ServerMethodDefinition<?, ?> g = lenient(m);
      methods.add(g);
      descriptor.addMethod(g.getMethodDescriptor());
    }
    ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(descriptor.build());
    for (ServerMethodDefinition<?, ?> m : methods) {
      b.addMethod(m);
    }
    return b.build();
  }

  private static <Q, R> ServerMethodDefinition<Q, R> lenient(ServerMethodDefinition<Q, R> m) {
    MethodDescriptor<Q, R> md = m.getMethodDescriptor();
    MethodDescriptor.Marshaller<Q> strict = md.getRequestMarshaller();
    MethodDescriptor.Marshaller<Q> tolerant = new MethodDescriptor.Marshaller<>() {
      @Override
      public InputStream stream(Q value) {
        return strict.stream(value);
      }

      @Override
      public Q parse(InputStream stream) {
        try {
          return strict.parse(stream);
        } catch (RuntimeException e) {
          return null; // the handler below answers INVALID_ARGUMENT
        }
      }
    };
    MethodDescriptor<Q, R> guarded = md.toBuilder().setRequestMarshaller(tolerant).build();
    ServerCallHandler<Q, R> next = m.getServerCallHandler();
    ServerCallHandler<Q, R> handler = (call, headers) -> {
      ServerCall.Listener<Q> listener = next.startCall(call, headers);
      return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
        private boolean rejected;

        @Override
        public void onMessage(Q message) {
          if (rejected) {
            return;
          }
          if (message == null) {
            rejected = true;
            WARN.warn("malformed " + md.getBareMethodName() + " request: not a valid protobuf message (or a string "
                + "field that is not UTF-8); answered INVALID_ARGUMENT");
            call.close(Status.INVALID_ARGUMENT.withDescription("the request is not a valid "
                + md.getFullMethodName() + " message (malformed protobuf or a string field that is not UTF-8)"),
                new Metadata());
            return;
          }
          super.onMessage(message);
        }

        @Override
        public void onHalfClose() {
          if (!rejected) {
            super.onHalfClose();
          }
        }
      };
    };
    return ServerMethodDefinition.create(guarded, handler);
  }
}
