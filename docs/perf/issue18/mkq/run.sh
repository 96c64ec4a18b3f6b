#!/usr/bin/env bash
# Issue 18, multikey at 1,024: the bundled model fine-tuned with denser supervision (--queries 4: up to four questions
# per sequence, the earlier ones inline with masked answers), multikey drawn twice as often. Resumable.
R=/work/runs/issue18/run-dd4f35c.sh; out=/work/runs/issue18/mkq/s1
if [[ -f $out/checkpoint/trainer.json ]]; then
  $R --out $out --resume $out/checkpoint --steps 1000 --checkpoint-every 50 --eval-every 100 --eval-n 32 >> $out.log 2>&1
else
  $R --out $out --init-from /work/main/models/maskkv-tiny --steps 1000 --seed 191 \
    --task needle,multikey,multikey,multivalue,vartrack,count --length 1024 --queries 4 --answer-slots 2 --batch 8 \
    --layers 4 --d-model 128 --heads 4 --ffn 384 --lr 3e-4 --warmup 50 --decay-from 600 --decay-to 1000 \
    --min-lr 5e-5 --checkpoint-every 50 --eval-every 100 --eval-n 32 > $out.log 2>&1
fi
