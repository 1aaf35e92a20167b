package dev.easel.kernel.handlers;

import dev.easel.kernel.comm.CommManager;
import dev.easel.kernel.protocol.Contents;
import dev.easel.kernel.protocol.MessageType;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code comm_info_request}, {@code comm_open}, {@code comm_msg} and {@code comm_close}, against {@link CommManager}. */
public final class CommHandlers {

    private CommHandlers() {}

    /** {@code comm_info_request}: the open comms, optionally of one target. */
    public static Handler info(CommManager comms) {
        return request -> {
            Contents.CommInfoRequest content = request.content(Contents.CommInfoRequest.class);
            Map<String, Map<String, String>> result = new LinkedHashMap<>();
            comms.list(content.targetName()).forEach((id, target) -> result.put(id, Map.of("target_name", target)));
            request.reply(new Contents.CommInfoReply("ok", result));
        };
    }

    /** {@code comm_open} from the frontend; an unknown target is closed right away, as the spec asks. */
    public static Handler open(CommManager comms) {
        return request -> {
            Contents.CommOpen content = request.content(Contents.CommOpen.class);
            if (!comms.openedByFrontend(content.commId(), content.targetName(), content.data())) {
                request.publish(MessageType.COMM_CLOSE, new Contents.CommClose(content.commId(), Map.of()));
            }
        };
    }

    public static Handler message(CommManager comms) {
        return request -> {
            Contents.CommMsg content = request.content(Contents.CommMsg.class);
            comms.messageFromFrontend(content.commId(), content.data());
        };
    }

    public static Handler close(CommManager comms) {
        return request -> {
            Contents.CommClose content = request.content(Contents.CommClose.class);
            comms.closedByFrontend(content.commId(), content.data());
        };
    }
}
