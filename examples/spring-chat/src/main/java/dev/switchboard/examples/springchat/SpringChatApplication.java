package dev.switchboard.examples.springchat;

import dev.switchboard.spring.SocketIoConfigurer;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A Spring Boot application with an embedded Switchboard Socket.IO server (switchboard-spring-boot-starter,
 * configured in application.yml). Clients join rooms and chat in namespace {@code /chat}; messages are
 * numbered by a Spring bean ({@link ChatHistory}), and each sender gets the number in its ack.
 */
@SpringBootApplication
public class SpringChatApplication {

    public static void main(String[] args) {
        SpringApplication.run(SpringChatApplication.class, args);
    }

    @Bean
    ChatHistory chatHistory() {
        return new ChatHistory();
    }

    /** The handlers: registered before the server listens, with the beans they need. */
    @Bean
    SocketIoConfigurer chat(ChatHistory history) {
        return io -> io.of("/chat").on("connection", socket -> {
            socket.on("join", (args, ack) -> {
                String room = String.valueOf(args.get(0));
                socket.join(room);
                ack.send(Map.of("room", room, "last", history.last(room)));
            });
            socket.on("message", (args, ack) -> {
                if (!(args.get(0) instanceof Map<?, ?> msg) || !(msg.get("room") instanceof String room)
                        || !socket.rooms().contains(room)) {
                    ack.send(Map.of("error", "expected {room, text} for a room you joined"));
                    return;
                }
                long id = history.record(room, String.valueOf(msg.get("text")));
                socket.to(room).emit("message", Map.of("id", id, "room", room, "text", String.valueOf(msg.get("text"))));
                ack.send(Map.of("id", id));
            });
        });
    }
}
