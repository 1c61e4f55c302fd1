# The classic LVS-DR recipe's keepalived.conf for one director, as operators write it for
# keepalived (VRID 51, advert_int 1, PASS auth, DR, rr, TCP_CHECK on the two nginx real servers
# 10.77.0.11 and 10.77.0.12). Shared by the demo and the e2e test.
#   recipe_conf STATE PRIORITY VIP > FILE
recipe_conf() {
    cat <<C
! Configuration File for keepalived
global_defs {
    router_id LVS_$1
}
vrrp_instance VI_1 {
    state $1
    interface eth0
    virtual_router_id 51
    priority $2
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass 1111
    }
    virtual_ipaddress {
        $3
    }
}
virtual_server $3 80 {
    delay_loop 1
    lb_algo rr
    lb_kind DR
    protocol TCP
    real_server 10.77.0.11 80 {
        weight 1
        TCP_CHECK {
            connect_timeout 1
        }
    }
    real_server 10.77.0.12 80 {
        weight 1
        TCP_CHECK {
            connect_timeout 1
        }
    }
}
C
}
